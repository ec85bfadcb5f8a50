
CRaimundo Llopis Hierroemiliocalatayud@example.net"es*—ÈÏş
8Piersanti Balbicabrinigian@example.org"it*Ãæ–¶
7Kristina Baldwinlrobinson@example.com"en*í ‡±
4Marcel Leblanchonore35@example.org"fr*ñş™ñ
5Ariane Klemt-Kaulmaja07@example.net"de*‘ˆŸü
8Ani Marcos Pardojuliebanos@example.org"es*·Õ¬€
BBernardo Giannini-Callegarodlettiere@example.net"it*¨³Å
7Henry Santiagolynchgeorge@example.net"en*ÄöˆŸ
3	Nicolas Gilletlucie83@example.net"fr*Ü¿Ú
9
Erdal Beckmannrolf-dieter41@example.org"de*—Èğ™
8Cloe Valera Priegoqclavero@example.org"es*ã˜ü¸
8Sig.ra Ramona Renzioorengo@example.org"it*¯¡ø
>Peter Callahan Jr.laurahenderson@example.org"en*ŠÌË±
7Suzanne Evrardfrancoise01@example.net"fr*ÄÅÏ¡
7Paola Segebahnengelbert46@example.org"de*³µ
@Poncio Lago Valleanunciacioncamino@example.net"es*Ê©¹ª
?Milena Filangieri-Corrermariana28@example.net"it*ŠÉ–
:Katherine Rodrigueznatasha43@example.org"en*­ñ¸ğ
<Audrey-AurÃ©lie Foucherwmuller@example.net"fr*ªú™
CMaurizio MÃ¼lichen-Rognerjosephraedel@example.net"de*õü»€
1JuliÃ¡n Fontsabas57@example.net"es*ÉšÄ¦
>Gioffre Gasperimorettialessandro@example.net"it*ˆÕ”ª
6Daniel Jonesperezrebecca@example.com"en*Ğû¢·
5InÃ¨s Le Larocheibenoit@example.org"fr*Ñ¸¸ù
?Dr. Raisa MÃ¼hle MBA.dominikdietz@example.net"de*•¾»¹
?Ileana Reig Soleracabellobenjamin@example.com"es*ííÅ§
:Gionata Fermiadelasiasagredo@example.org"it*Óæ›
6Joel Baxterramosmichelle@example.net"en*öÏ¯¦
7Victor Gimenezmorinodette@example.org"fr*¾Óóü
<Dipl.-Ing. Jana Hamannkbonbach@example.com"de*Ö­Ô…
;Dulce Sanz Machadojtorrecilla@example.org"es*’êÒğ
; Arturo Venezianomazziniarturo@example.org"it*µã¬–
9!Thomas Schmidtyuchristopher@example.org"en*›×’»
F"Antoinette Parent de la Antoinecolaspaul@example.net"fr*Ò•’ù
3#Hassan Sontagsylvia43@example.net"de*§Òºõ
9$Eligio del Castrozacarias51@example.org"es*©Ë˜
@%Paulina Calgarivanvitelligiampaolo@example.net"it*²ˆ„«
4&Gregory Jonesmikemoore@example.net"en*ÊÇ¨’
C'Adrienne Martineau Le DuprÃ©lucasremy@example.org"fr*¶ú‹—
D(Franz-Peter Holzapfel-Schleichiriskarz@example.org"de*Ú˜‰ş
6)Laura Iglesiasbrufabiana@example.com"es*®Ğ”’
:*Adamo Montesanoettaiacobucci@example.org"it*¿Òä“
7+Jessica Smithlandryhannah@example.org"en*œÆö¨
;,Julien Guillonaurorerodriguez@example.org"fr*ã»š¶
2-Tanja Benthinhasso31@example.com"de*Î‚ê—
G.MarÃ­a Teresa Cortes GuzmÃ¡nnereidaelorza@example.com"es*ëÒ„¸
:/Mariano Polizzigoffredocuomo@example.net"it*ãÎÅó
40Andrew Ruizlisastevens@example.com"en*úÆšş
@1Alexandre Delmas-Olivierrboulanger@example.org"fr*«¸À
52Manuela Pechelistiebitz@example.com"de*ÅÙŒ”
A3ValentÃ­n JuliÃ¡n Escalonaantonio19@example.com"es*ÃÜóó
H4Sig.ra Marcella Tornatorepavanellovittoria@example.net"it*´ Ïœ
75Michael Smithmichaeljones@example.net"en*ŠâÙˆ
@6Margaux DuprÃ© de Fouquetcorinne46@example.com"fr*ÔÁÑš
B7Kreszentia Eckbauersiegmarstadelmann@example.com"de*ã¸ğ£
A8Mariana Encarna Ramis Abadluciano36@example.net"es*äãÒ†
49
Maria Rothtulliosforza@example.net"it*ÏŸÏ™
2:
Diane Beckclarence34@example.org"en*ÒŞ‹†
@;Alexandre Lambertchristellebourdon@example.org"fr*Ş‡î‰
;<Univ.Prof. Leni Gudezoderwald@example.org"de*ö†Õª
M=Victoriano Campillo RodrÃ­guezgabrielvillaverde@example.com"es*Ä©¡ƒ
3>Flora CassarÃ zchiesa@example.com"it*Ê¥æö
4?Linda Dodson DVMjrivas@example.com"en*¤Ê­´
7@StÃ©phanie Poirierzoediaz@example.com"fr*¨”ß„
FAUniv.Prof. Edith HÃ¶fig MBA.truebkay-uwe@example.org"de*ù¾Œ³
BBEsther Berrocal ChacÃ³njeronimopinol@example.net"es*ñ¥““
?CDott. Antonella Pozzeccoimontalti@example.com"it*î‰÷ƒ
2D
Ross Pricegateskathy@example.com"en*âÇË¥
3EJoseph LÃ©gerihumbert@example.net"fr*€­¶­
CF Dipl.-Ing. Emanuel Heydrich MBA.ybaum@example.com"de*º¬£¶
=GSosimo Solsona Castellpradadora@example.net"es*Áë¤
:HPomponio Chittolinidfaggiani@example.com"it*Çëó
2IJesse Rogersaramirez@example.com"en*·àò 
7JAgnÃ¨s Bouvetmartymaurice@example.net"fr*è»íú
<KPietro Beckerhans-walterbaerer@example.net"de*“á“ù
<LBernardino del CarbÃ³adelajaen@example.com"es*ø’ğƒ
;MRosa Caroccilorenzocannizzaro@example.net"it*«Éì…
4NLaura Odonnelltsanders@example.org"en*ÆÔó
AOJacqueline-Caroline Grenierclaude91@example.net"fr*”ÒŒú
8PKatharine Lorchchristian85@example.org"de*›²Ğõ
CQAscensiÃ³n RossellÃ³ Paredesbcoronado@example.org"es*ƒá‘¦
?RGermana Varano-Sordiuroccabonella@example.net"it*è“³
3SDavid Michaelnicole37@example.net"en*ŸôÜ’
/T
Alix Costajules73@example.com"fr*–ğğ 
6UErnestine Schenkbranka08@example.org"de*£®¸‘
>VPlÃ¡cido del Torresjessicatamayo@example.net"es*²™ªû
;WAlessia Cabotogianfrancesco63@example.com"it*ø™¯
2XJuan Coopermichael74@example.com"en*»Üçº
;YCharles Mace-Oliviergeorges82@example.org"fr*ÜÁÆ
@ZIng. Mirjam Schacht B.Eng.gudeknut@example.org"de*½áˆŒ
B[Eutropio AlcalÃ¡ CastaÃ±edaartemio08@example.com"es*º˜È
A\Melina Camilleri-Anastasiruggiero77@example.com"it*¤½Ä€
6]Dawn Hensleyshortrichard@example.org"en*Ñü‡
2^Denis GÃ©rardemile31@example.net"fr*ˆ·º
E_Prof. Hans-Hermann Mende MBA.natalija96@example.com"de*–Ò¥
T`&AmÃ©rica MarÃ­a JesÃºs Cabezas Galianojuan-luisbertran@example.org"es*¶ø“¹
AaBenvenuto Crisafullipizzettiroberto@example.net"it*Ş»‰
.b
David Mannojones@example.com"en*òÇÂ¬
;cCÃ©line Devauxmadeleinegerard@example.com"fr*ûÊØ‰
5dAnsgar Gehringerdiane94@example.com"de*õÉ‚